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
  // <style> parsed in another document, and Chromium may fail to load it from CSS. Its
  // bytes are inline (a data: URL), so the face is built here with the FontFace API from
  // those bytes, which loads without a fetch, and the <style> is removed.
  var FACE = /font-family:\s*"([^"]+)".*?base64,([A-Za-z0-9+\/=]+)".*?unicode-range:\s*([^;]+);/;
  var adopt = function () {
    Array.from(d.head.querySelectorAll("style[data-font-face]")).forEach(function (old) {
      var m = FACE.exec(old.textContent);
      if (!m) return;
      var raw = atob(m[2]), bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      var face = new FontFace(m[1], bytes.buffer, {unicodeRange: m[3], display: "block"});
      d.fonts.add(face);
      old.remove();
    });
    return loadAll();
  };
  d.addEventListener("htmx:afterSettle", adopt);
  setTimeout(show, 10000);
})(document);
