// GOV.UK-style timeout warning: two minutes before the idle sign-out, a modal
// dialog says so and offers "Stay signed in". It is a native <dialog>, so focus
// moves into it and stays there, Escape closes it (and counts as staying), and
// screen readers hear the heading and the countdown, announced each 30 seconds.
(function () {
  var STATUS_URL = "/account/session/";
  var timer = null;
  var countdown = null;
  var dialog = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function ask(method) {
    return fetch(STATUS_URL, {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      redirect: "manual"
    }).then(function (response) {
      if (!response.ok) return null;
      return response.json();
    }).catch(function () { return null; });
  }

  function words(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "session-timeout-dialog";
    dialog.setAttribute("aria-labelledby", "session-timeout-heading");
    dialog.setAttribute("aria-describedby", "session-timeout-text");
    dialog.className = "session-timeout";
    dialog.innerHTML =
      '<h2 id="session-timeout-heading" tabindex="-1">You\u2019re about to be signed out</h2>' +
      '<p id="session-timeout-text">For your security, we will sign you out in ' +
      '<strong id="session-timeout-left"></strong>.</p>' +
      '<p class="sr-only" id="session-timeout-live" aria-live="assertive"></p>' +
      '<div class="session-timeout-buttons">' +
      '<button type="button" id="session-timeout-stay">Stay signed in</button>' +
      '<a href="/admin/logout/" id="session-timeout-leave">Sign out</a></div>';
    document.body.appendChild(dialog);
    dialog.querySelector("#session-timeout-stay").addEventListener("click", stay);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
    // Signing out is a POST in Django: submit the page's own logout form if there is one.
    dialog.querySelector("#session-timeout-leave").addEventListener("click", function (event) {
      var form = document.getElementById("logout-form");
      if (form) { event.preventDefault(); form.submit(); }
    });
  }

  function show(secondsLeft) {
    if (!dialog) build();
    var left = Math.max(0, Math.floor(secondsLeft));
    var shown = dialog.querySelector("#session-timeout-left");
    var live = dialog.querySelector("#session-timeout-live");
    shown.textContent = words(left);
    live.textContent = "For your security, we will sign you out in " + words(left) + ".";
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("#session-timeout-heading").focus();
    clearInterval(countdown);
    countdown = setInterval(function () {
      left -= 1;
      shown.textContent = words(Math.max(left, 0));
      if (left > 0 && left % 30 === 0) {
        live.textContent = "For your security, we will sign you out in " + words(left) + ".";
      }
      if (left <= 0) {
        clearInterval(countdown);
        // The server has signed the session out: reloading shows the sign-in page and why.
        window.location.reload();
      }
    }, 1000);
  }

  function stay() {
    clearInterval(countdown);
    ask("POST").then(function (status) {
      if (dialog && dialog.open) dialog.close();
      if (status && status.signed_in) schedule(status);
    });
  }

  function schedule(status) {
    clearTimeout(timer);
    var wait = Math.max(0, status.seconds_left - status.warn_before);
    timer = setTimeout(function () {
      // Another tab may have kept the session going: ask before warning.
      ask("GET").then(function (now) {
        if (!now || !now.signed_in) return;
        if (now.seconds_left > now.warn_before) schedule(now);
        else show(now.seconds_left);
      });
    }, wait * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Only signed-in pages carry the sign-out form.
    if (!document.getElementById("logout-form")) return;
    ask("GET").then(function (status) { if (status && status.signed_in) schedule(status); });
  });
})();
