// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // A form marked data-once disables its buttons after the first submit, so a
  // double tap sends one request (the server also refuses duplicates).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var clicked = event.submitter;
      if (clicked && clicked.name) {
        var keep = document.createElement("input");
        keep.type = "hidden"; keep.name = clicked.name; keep.value = clicked.value;
        form.appendChild(keep);
      }
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // "Select all" checkbox for the screening list.
  document.querySelectorAll("input[data-check-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      var name = master.getAttribute("data-check-all");
      document.querySelectorAll("input[name='" + name + "']").forEach(function (box) { box.checked = master.checked; });
    });
  });
});
