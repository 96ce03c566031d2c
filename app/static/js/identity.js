// "获取验证码" (app/identity): send the code without leaving the page, then
// count down to the next allowed send. Without this script the button posts
// the form to the same endpoint and the page comes back with a message.
document.addEventListener("DOMContentLoaded", function () {
  var COUNTDOWN_MAX = 120;  // longer waits (daily limits) are told, not counted down

  function showDevCode(phone, code) {
    var banner = document.querySelector("[data-sms-dev]");
    if (!banner) { return; }
    banner.querySelector("[data-sms-dev-phone]").textContent = phone;
    banner.querySelector("[data-sms-dev-code]").textContent = code;
    banner.hidden = false;
  }

  document.querySelectorAll("button[data-sms-send]").forEach(function (button) {
    var form = button.form, timer = null;
    var status = button.closest(".sms-code").querySelector("[data-sms-status]");

    function tick(left) {
      if (left <= 0) {
        clearInterval(timer); button.disabled = false; button.textContent = "重新获取";
        return;
      }
      button.textContent = left + " 秒后重新获取";
    }

    function countDown(seconds) {
      var left = seconds;
      clearInterval(timer);
      button.disabled = true;
      tick(left);
      timer = setInterval(function () { left -= 1; tick(left); }, 1000);
    }

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", isError);
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      var phone = form.elements[button.getAttribute("data-phone-field")];
      var token = form.elements.csrf_token;
      if (!phone || !phone.value.trim()) {
        say("请先填写手机号码", true);
        if (phone) { phone.focus(); }
        return;
      }
      button.disabled = true;
      fetch(button.getAttribute("data-url"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": token ? token.value : ""},
        body: JSON.stringify({phone: phone.value, purpose: button.value})
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) { throw new Error("expired"); }
        return response.json();
      }).then(function (data) {
        say(data.message, !data.ok);
        if (data.dev_code) { showDevCode(data.phone, data.dev_code); }
        if (data.retry_after && data.retry_after <= COUNTDOWN_MAX) { countDown(data.retry_after); }
        else { button.disabled = false; }
        var code = document.getElementById(button.getAttribute("data-code-field"));
        if (data.ok && code) { code.focus(); }
      }).catch(function () {
        say("页面已过期或网络异常，请刷新页面后重试", true);
        button.disabled = false;
      });
    });
  });
});
