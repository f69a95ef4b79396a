/* Show the page once every face of the shipped font has loaded (or 10 s passed).
 * On a machine without any system font, Chromium drops a web font that is only
 * requested while laying text out, so each face is loaded explicitly, also after
 * htmx swaps in new content. Without JavaScript the page shows at once. */
(function (d) {
  if (!d.fonts || !d.fonts.load || !window.Promise) return;
  var root = d.documentElement;
  var show = function () { root.style.removeProperty("display"); };
  var loadAll = function () {
    return Promise.all(Array.from(d.fonts).map(function (face) {
      return face.status === "loaded" ? face : face.load().catch(function () {});
    }));
  };
  root.style.display = "none";
  d.addEventListener("DOMContentLoaded", function () { loadAll().then(show, show); });
  // A face an htmx answer brought (Console.page adds it to <head> out of band) is in a
  // <style> parsed in another document; Chromium fails to load a face from it, so the
  // style is written anew here before the faces are loaded.
  var adopt = function () {
    Array.from(d.head.querySelectorAll("style[data-font-face]")).forEach(function (old) {
      var style = d.createElement("style");
      style.textContent = old.textContent;
      old.replaceWith(style);
    });
    return loadAll();
  };
  d.addEventListener("htmx:afterSettle", adopt);
  setTimeout(show, 10000);
})(document);
