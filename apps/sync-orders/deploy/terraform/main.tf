# SPDX-License-Identifier: MIT
# odoo-sync-orders as an AWS Lambda custom runtime, the Terraform equivalent of
# ../template.yaml: a DynamoDB table, the function, and a role with exactly
# secretsmanager:GetSecretValue on the one secret and the DynamoDB actions of
# the chosen write mode on the one table (plus CloudWatch Logs for the function).

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "odoo_secret_arn" {
  description = "ARN of the Secrets Manager secret holding ODOO_URL, ODOO_DB, ODOO_EMAIL, ODOO_PASSWORD"
  type        = string
}

variable "table_name" {
  type    = string
  default = "OddoResponseUpdateTable"
}

variable "write_mode" {
  description = "batch (BatchWriteItem) or conditional (PutItem only when newer)"
  type        = string
  default     = "batch"
  validation {
    condition     = contains(["batch", "conditional"], var.write_mode)
    error_message = "write_mode is batch or conditional."
  }
}

variable "state_key" {
  description = "the cursor's key in the state table"
  type        = string
  default     = "orders"
}

variable "shard_count" {
  description = "1: one schedule; N > 1: one schedule per shard (--shard K/N), side by side"
  type        = number
  default     = 1
}

variable "schedule" {
  type    = string
  default = "rate(5 minutes)"
}

variable "package_zip" {
  description = "zip of the Lambda package (bootstrap, bin/, lib/), see package-lambda.sh"
  type        = string
  default     = "../../../../build/lambda-package.zip"
}

locals {
  write_actions = var.write_mode == "conditional" ? ["dynamodb:PutItem", "dynamodb:DescribeTable"] : ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"]
}

resource "aws_dynamodb_table" "orders" {
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_name"
  range_key    = "order_id"
  attribute {
    name = "order_name"
    type = "S"
  }
  attribute {
    name = "order_id"
    type = "S"
  }
}

# the incremental cursor and its lease: one item per cursor (and shard)
resource "aws_dynamodb_table" "state" {
  name         = "${var.table_name}-sync-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "key"
  attribute {
    name = "key"
    type = "S"
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sync" {
  name               = "odoo-sync-orders"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "sync" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.odoo_secret_arn]
  }
  statement {
    actions   = local.write_actions
    resources = [aws_dynamodb_table.orders.arn]
  }
  # the lease and cursor (UpdateItem), the holder and shard layout (GetItem),
  # the layout written once (PutItem)
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.state.arn]
  }
}

resource "aws_iam_role_policy" "sync" {
  role   = aws_iam_role.sync.id
  policy = data.aws_iam_policy_document.sync.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.sync.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "sync" {
  function_name    = "odoo-sync-orders"
  role             = aws_iam_role.sync.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  filename         = var.package_zip
  source_code_hash = filebase64sha256(var.package_zip)
  timeout          = 900
  memory_size      = 256
  environment {
    variables = {
      ODOO_SECRET_ID   = var.odoo_secret_arn
      DYNAMODB_TABLE   = aws_dynamodb_table.orders.name
      SYNC_CONDITIONAL = var.write_mode == "conditional" ? "1" : "0"
      SYNC_STATE       = "dynamodb:${aws_dynamodb_table.state.name}/${var.state_key}"
    }
  }
}

# one schedule per shard (a single one when shard_count is 1)
resource "aws_cloudwatch_event_rule" "sync" {
  count               = var.shard_count
  name                = var.shard_count == 1 ? "odoo-sync-orders" : "odoo-sync-orders-shard-${count.index}"
  schedule_expression = var.schedule
}

resource "aws_cloudwatch_event_target" "sync" {
  count = var.shard_count
  rule  = aws_cloudwatch_event_rule.sync[count.index].name
  arn   = aws_lambda_function.sync.arn
  input = var.shard_count == 1 ? "{}" : jsonencode({ shard = "${count.index}/${var.shard_count}" })
}

resource "aws_lambda_permission" "schedule" {
  count         = var.shard_count
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.sync.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sync[count.index].arn
}
