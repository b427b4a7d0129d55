/* Registers the service worker (assets/sw.js); a browser without one simply goes without. */
(function () {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* Not installable here (private browsing, no HTTPS): the site works as before. */
    });
  }
  if (document.readyState === "complete") {
    register();
  } else {
    window.addEventListener("load", register);
  }
})();
