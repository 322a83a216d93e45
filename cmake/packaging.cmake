# SPDX-License-Identifier: MIT
# Debian packages with CPack (included last by ../CMakeLists.txt, after every
# install() rule). Split the way Debian splits a library, one package per
# install COMPONENT:
#
#   component     package          contents
#   runtime-core  libodoo1         libodoo.so.1*          (named by the SONAME)
#   runtime-aws   libodoo-aws1     libodoo-aws.so.1*
#   dev           libodoo-dev      headers, libodoo.pc, libodoo-aws.pc, the CMake package,
#                                  the libodoo*.so symlinks, the static libraries, the docs
#   tools         odoo-tools       odoo-call, odoo-pickings, odoo-products, odoo-sync-orders,
#                                  their man pages (share/man/man1), the Lambda bootstrap
#   python        python3-libodoo  the Python package libodoo (lib/python3/dist-packages)
#   lua           lua-libodoo      the Lua 5.4 module (lib/lua/5.4/libodoo.so)
#
# Build them from a fresh build directory configured for /usr:
#
#   cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
#         -DODOO_BUILD_TESTS=OFF -DODOO_BUILD_EXAMPLES=OFF -DPython3_EXECUTABLE=/usr/bin/python3
#   cmake --build build-deb -j
#   (cd build-deb && cpack -G DEB)
#
# tests/package/debs.sh does that, installs them with dpkg -i, uses them and
# removes them. The library dependencies come from dpkg-shlibdeps; the ones
# between these packages are explicit, on the exact version.

if(NOT CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  return()              # libodoo inside another project (add_subdirectory): its packaging
endif()

set(CPACK_PACKAGE_NAME "libodoo")
set(CPACK_PACKAGE_VENDOR "libodoo")
set(CPACK_PACKAGE_CONTACT "libodoo maintainers <maintainers@libodoo.invalid>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Each package's summary is the first line of its CPACK_COMPONENT_<C>_DESCRIPTION:
# CPackDeb prepends CPACK_PACKAGE_DESCRIPTION_SUMMARY unless it is CPack's default.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
if(EXISTS "${PROJECT_SOURCE_DIR}/LICENSE")
  set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
endif()
set(CPACK_GENERATOR "DEB")
set(CPACK_DEB_COMPONENT_INSTALL ON)
# what is not in one of these components is not packaged (tests/package/debs.sh
# fails when an install() rule has no COMPONENT)
set(_odoo_components dev)
if(TARGET odoo)
  list(APPEND _odoo_components runtime-core)
endif()
if(TARGET odoo_aws)
  list(APPEND _odoo_components runtime-aws)
endif()
if(TARGET odoo-call OR TARGET odoo-sync-orders)
  list(APPEND _odoo_components tools)
endif()
if(ODOO_BUILD_PYTHON)
  list(APPEND _odoo_components python)
endif()
if(ODOO_BUILD_LUA)
  list(APPEND _odoo_components lua)
endif()
set(CPACK_COMPONENTS_ALL ${_odoo_components})

set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends: from the ELF files' NEEDED entries (dpkg-shlibdeps); libodoo.so.1 and
# libodoo-aws.so.1 are found in the build tree and belong to no installed
# package, so their packages are named explicitly below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}/src")

set(_odoo_debver "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
set(_odoo_core_pkg "libodoo${ODOO_SOVERSION}")
set(_odoo_aws_pkg "libodoo-aws${ODOO_AWS_SOVERSION}")
set(_odoo_exact_libs "${_odoo_core_pkg} (= ${_odoo_debver}), ${_odoo_aws_pkg} (= ${_odoo_debver})")

# A shlibs file in each library package, for packages built against it
# (CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS would also look at the Python and Lua
# modules, which have no SONAME). CPack adds the ldconfig calls of postinst/postrm.
foreach(_odoo_pair IN ITEMS "runtime-core;odoo;${ODOO_SOVERSION};${_odoo_core_pkg}"
                            "runtime-aws;odoo-aws;${ODOO_AWS_SOVERSION};${_odoo_aws_pkg}")
  list(GET _odoo_pair 0 _c)
  list(GET _odoo_pair 1 _lib)
  list(GET _odoo_pair 2 _so)
  list(GET _odoo_pair 3 _pkg)
  string(TOUPPER "${_c}" _C)
  file(WRITE "${PROJECT_BINARY_DIR}/packaging/${_c}/shlibs"
       "lib${_lib} ${_so} ${_pkg} (>= ${PROJECT_VERSION})\n")
  set(CPACK_DEBIAN_${_C}_PACKAGE_CONTROL_EXTRA "${PROJECT_BINARY_DIR}/packaging/${_c}/shlibs")
endforeach()

# CPack's per-component variables are spelt with the component name in upper case
set(CPACK_DEBIAN_RUNTIME-CORE_PACKAGE_NAME "${_odoo_core_pkg}")
set(CPACK_COMPONENT_RUNTIME-CORE_DESCRIPTION
    "C client library for Odoo (runtime)\nlibodoo talks to Odoo over its web session, /jsonrpc and JSON-2 APIs\nwith typed errors, retries, re-authentication, iterators and sinks.")

set(CPACK_DEBIAN_RUNTIME-AWS_PACKAGE_NAME "${_odoo_aws_pkg}")
set(CPACK_DEBIAN_RUNTIME-AWS_PACKAGE_DEPENDS "${_odoo_core_pkg} (= ${_odoo_debver})")
set(CPACK_COMPONENT_RUNTIME-AWS_DESCRIPTION
    "AWS support for libodoo (runtime)\nThe DynamoDB client and sink, the AWS credentials chain and Secrets Manager,\nsigned with AWS Signature Version 4.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME "libodoo-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "${_odoo_exact_libs}, libjansson-dev, libcurl4-openssl-dev | libcurl-dev, libssl-dev, pkgconf | pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "C client library for Odoo (development files)\nHeaders, pkg-config files (libodoo, libodoo-aws), the CMake package\n(find_package(libodoo)) and the static libraries.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME "odoo-tools")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${_odoo_exact_libs}")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "Command-line tools for Odoo, built on libodoo\nodoo-call (one method call, JSON out), odoo-pickings, odoo-products and\nodoo-sync-orders (sale orders to DynamoDB or JSON files).")

set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME "python3-libodoo")
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION "python")
set(_odoo_py_depends "${_odoo_exact_libs}")
if(ODOO_BUILD_PYTHON AND Python3_EXECUTABLE)
  # the extension is built for one Python (its SOABI)
  execute_process(COMMAND "${Python3_EXECUTABLE}" -c
                          "import sys; print('%d.%d %d.%d' % (sys.version_info[:2] + (sys.version_info[0], sys.version_info[1] + 1)))"
                  OUTPUT_VARIABLE _odoo_pyver OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_odoo_pyver MATCHES "^([0-9.]+) ([0-9.]+)$")
    string(APPEND _odoo_py_depends ", python3 (>= ${CMAKE_MATCH_1}), python3 (<< ${CMAKE_MATCH_2})")
  endif()
endif()
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "${_odoo_py_depends}")
set(CPACK_COMPONENT_PYTHON_DESCRIPTION
    "Python 3 binding of libodoo\nimport libodoo (and libodoo.aws): the Odoo client with native values,\nexceptions mirroring the error codes, iterators and the sinks.")

set(CPACK_DEBIAN_LUA_PACKAGE_NAME "lua-libodoo")
set(CPACK_DEBIAN_LUA_PACKAGE_SECTION "interpreters")
set(CPACK_DEBIAN_LUA_PACKAGE_DEPENDS "${_odoo_exact_libs}")
set(CPACK_DEBIAN_LUA_PACKAGE_RECOMMENDS "lua5.4")
set(CPACK_COMPONENT_LUA_DESCRIPTION
    "Lua 5.4 binding of libodoo\nrequire 'libodoo' (and 'libodoo.aws'): the Odoo client for Lua 5.4.")

# /usr/share/doc/<package>/copyright in each package (only in component
# installs, i.e. the packages: not in a plain `cmake --install`)
if(EXISTS "${PROJECT_SOURCE_DIR}/LICENSE")
  foreach(_c IN LISTS CPACK_COMPONENTS_ALL)
    string(TOUPPER "${_c}" _C)
    install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" RENAME copyright
            DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_${_C}_PACKAGE_NAME}"
            COMPONENT ${_c} EXCLUDE_FROM_ALL)
  endforeach()
endif()

include(CPack)
