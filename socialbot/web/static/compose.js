/* The composer's two buttons per picture: insert its Markdown into the body at the
 * cursor, or remove it; either way the preview refreshes (an input/change event). */
(function (d) {
  d.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".insert-image, .remove-image");
    if (!button) return;
    var item = button.closest(".image-item");
    var form = d.getElementById("compose-form");
    if (button.classList.contains("remove-image")) {
      item.remove();
      form.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var name = item.querySelector(".image-name").value.trim();
    if (!name) return;
    var body = d.getElementById("f-body");
    var text = "\n![图片](" + name + ")\n";
    var at = body.selectionStart || body.value.length;
    body.value = body.value.slice(0, at) + text + body.value.slice(body.selectionEnd || at);
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });
})(document);
