"""Sending SMS: one small interface, a console provider for development and
tests, and an HTTP provider for the province's SMS gateway.

A provider has one method, ``send(phone, code, purpose, minutes)``. It returns
the code when the code was only shown (console) and None when it really left
the building; it raises ``SmsDeliveryError`` when the message could not be sent.
"""
import json
import logging
import urllib.error
import urllib.request
import uuid

log = logging.getLogger(__name__)


class SmsDeliveryError(Exception):
    pass


class ConsoleProvider:
    """Writes the message to the log instead of sending it."""

    def send(self, phone, code, purpose, minutes):
        log.warning("短信验证码（未真正发送）%s %s：%s，%d 分钟内有效", phone, purpose.label, code, minutes)
        return code


class HttpProvider:
    """Posts one JSON request per message to a gateway, with no vendor SDK.

    Request::

        POST {SMS_HTTP_URL}
        Authorization: Bearer {SMS_HTTP_TOKEN}
        Content-Type: application/json; charset=utf-8
        X-Request-Id: <uuid4 hex, unique per message, for the gateway's logs and de-duplication>

        {"phone": "13800138000",
         "template_id": "{SMS_HTTP_TEMPLATE_ID}",
         "params": {"code": "123456", "minutes": 5},
         "purpose": "reset"}

    Any 2xx answer means the gateway accepted the message; anything else, a
    refused connection or no answer within ``timeout`` seconds is a failed
    delivery. The template (approved with the carrier, with the site's
    signature) holds the wording, e.g. "您的验证码为 ${code}，${minutes} 分钟内有效，
    请勿告诉他人。" A gateway with another request shape gets a small adapter in
    front of it rather than a second provider here.
    """

    def __init__(self, url, token, template_id, timeout=5.0):
        self.url, self.token, self.template_id, self.timeout = url, token, template_id, timeout

    def send(self, phone, code, purpose, minutes):
        body = json.dumps({"phone": phone, "template_id": self.template_id,
                           "params": {"code": code, "minutes": minutes}, "purpose": purpose.value},
                          ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json; charset=utf-8",
            "X-Request-Id": uuid.uuid4().hex,
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            # The number is personal data: the log names the gateway's answer, not the phone.
            log.error("短信网关发送失败：%s", exc)
            raise SmsDeliveryError(str(exc)) from exc


def make_provider(config):
    name = config["SMS_PROVIDER"]
    if name == "console":
        return ConsoleProvider()
    if name == "http":
        required = ("SMS_HTTP_URL", "SMS_HTTP_TOKEN", "SMS_HTTP_TEMPLATE_ID")
        missing = [key for key in required if not config.get(key)]
        if missing:
            raise RuntimeError(f"短信网关配置不完整，缺少：{', '.join(missing)}")
        return HttpProvider(config["SMS_HTTP_URL"], config["SMS_HTTP_TOKEN"], config["SMS_HTTP_TEMPLATE_ID"],
                            timeout=float(config["SMS_HTTP_TIMEOUT"]))
    raise RuntimeError(f"未知的短信服务：{name}（可选 console 或 http）")
