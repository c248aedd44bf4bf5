"""Chinese validation messages for marshmallow (per-field errors are read by people).

Field and validator messages are copied into instances when schemas are defined, so this runs once
before any schema exists: ``backend/__init__.py`` imports it first.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "该字段为必填项",
        "null": "该字段不能为空",
        "validator_failed": "取值无效",
    },
    fields.Nested: {"type": "应为对象"},
    fields.List: {"invalid": "应为列表"},
    fields.Tuple: {"invalid": "应为数组"},
    fields.String: {"invalid": "应为字符串", "invalid_utf8": "应为有效的 UTF-8 字符串"},
    fields.UUID: {"invalid_uuid": "应为有效的 UUID"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Float: {"special": "不支持 NaN 或无穷大"},
    fields.Decimal: {"special": "不支持 NaN 或无穷大"},
    fields.Boolean: {"invalid": "应为布尔值(true/false)"},
    fields.DateTime: {
        "invalid": "日期时间格式不正确,应为 ISO 8601,如 2026-01-31T09:00:00+08:00",
        "invalid_awareness": "日期时间格式不正确",
        "format": "无法格式化为日期时间",
    },
    fields.Date: {"invalid": "日期格式不正确,应为 YYYY-MM-DD", "format": "无法格式化为日期"},
    fields.TimeDelta: {"invalid": "时长格式不正确", "format": "无法格式化为时长"},
    fields.Mapping: {"invalid": "应为对象"},
    fields.Url: {"invalid": "网址格式不正确"},
    fields.Email: {"invalid": "邮箱格式不正确"},
}

VALIDATOR_MESSAGES: dict[type, dict[str, str]] = {
    validate.URL: {"default_message": "网址格式不正确"},
    validate.Email: {"default_message": "邮箱格式不正确"},
    validate.Range: {
        "message_min": "须{min_op} {{min}}",
        "message_max": "须{max_op} {{max}}",
        "message_all": "须{min_op} {{min}} 且{max_op} {{max}}",
        "message_gte": "大于或等于",
        "message_gt": "大于",
        "message_lte": "小于或等于",
        "message_lt": "小于",
    },
    validate.Length: {
        "message_min": "长度不能少于 {min}",
        "message_max": "长度不能超过 {max}",
        "message_all": "长度应在 {min} 到 {max} 之间",
        "message_equal": "长度应为 {equal}",
    },
    validate.Equal: {"default_message": "须等于 {other}"},
    validate.Regexp: {"default_message": "格式不正确"},
    validate.Predicate: {"default_message": "取值无效"},
    validate.NoneOf: {"default_message": "取值无效"},
    validate.OneOf: {"default_message": "取值须为以下之一:{choices}"},
    validate.ContainsOnly: {"default_message": "选项须在以下范围内:{choices}"},
    validate.ContainsNoneOf: {"default_message": "选项不能包含:{values}"},
}

SCHEMA_MESSAGES = {"type": "请求数据应为 JSON 对象", "unknown": "不支持的字段"}


def localize() -> None:
    """Replace marshmallow's English default messages with Chinese ones (idempotent)."""
    for field_class, messages in FIELD_MESSAGES.items():
        field_class.default_error_messages = {
            **field_class.__dict__.get("default_error_messages", {}),
            **messages,
        }
    for validator_class, messages in VALIDATOR_MESSAGES.items():
        for name, text in messages.items():
            setattr(validator_class, name, text)
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}


localize()
