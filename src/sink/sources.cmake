# The sinks and AWS modules: included by src/CMakeLists.txt (in src/'s scope)
# before the library targets are defined. They use the core, never the other
# way round. Crypto (SHA-256, HMAC for AWS Signature Version 4) is OpenSSL's
# libcrypto, a private dependency.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

list(APPEND ODOO_SOURCES
     sink/sink.c
     sink/json_write.c
     sink/json_sink.c
     aws/aws_sigv4.c
     aws/aws_credentials.c
     aws/aws_http.c
     aws/dynamodb.c
     aws/dynamodb_sink.c
     aws/secrets.c)

list(APPEND ODOO_PRIVATE_LIBS OpenSSL::Crypto)
