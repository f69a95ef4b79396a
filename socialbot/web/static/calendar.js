/* Calendar: drag a delivery onto another day to move it there (same time of day).
 * The drop fills the page's move form and submits it; htmx posts it and swaps the
 * calendar with the server's answer (moved, or refused with the reason). Listeners sit
 * on the document, so they keep working after htmx replaces the calendar. */
(function (d) {
  if (d.calendarDrag) return;
  d.calendarDrag = true;
  var dragged = null;
  var dayOf = function (node) { return node && node.closest ? node.closest("[data-day]") : null; };
  d.addEventListener("dragstart", function (e) {
    var ev = e.target && e.target.closest ? e.target.closest("[data-delivery]") : null;
    if (!ev) return;
    dragged = ev;
    e.dataTransfer.setData("text/plain", ev.getAttribute("data-delivery"));
    e.dataTransfer.effectAllowed = "move";
  });
  d.addEventListener("dragend", function () { dragged = null; });
  d.addEventListener("dragover", function (e) {
    var day = dayOf(e.target);
    if (day && dragged) { e.preventDefault(); day.classList.add("drop"); }
  });
  d.addEventListener("dragleave", function (e) {
    var day = dayOf(e.target);
    if (day) day.classList.remove("drop");
  });
  d.addEventListener("drop", function (e) {
    var day = dayOf(e.target);
    var form = d.getElementById("move-form");
    if (!day || !dragged || !form) return;
    e.preventDefault();
    day.classList.remove("drop");
    if (dayOf(dragged) === day) { dragged = null; return; }
    form.elements.delivery.value = dragged.getAttribute("data-delivery");
    form.elements.date.value = day.getAttribute("data-day");
    form.elements.time.value = dragged.getAttribute("data-time");
    dragged = null;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})(document);
