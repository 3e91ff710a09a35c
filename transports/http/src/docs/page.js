// The try-it forms: each posts its fields as the JSON params of
// POST {endpoint}/{method} and shows the reply, or the fault, below it.
(function () {
  "use strict";

  function value(field) {
    var text = field.value;
    switch (field.dataset.kind) {
      case "string":
        return text;
      case "number":
        var number = Number(text);
        // Not a number: sent as typed, so the server names the problem.
        return text.trim() !== "" && !isNaN(number) ? number : text;
      case "boolean":
        return text === "true" ? true : text === "false" ? false : text;
      default:
        try {
          return JSON.parse(text);
        } catch (e) {
          return text;
        }
    }
  }

  function params(form) {
    var out = {};
    form.querySelectorAll("[data-kind]").forEach(function (field) {
      if (field.value === "" && !field.dataset.required) {
        return;
      }
      out[field.name] = value(field);
    });
    return out;
  }

  function show(reply, status, text, isFault) {
    var body = text;
    try {
      body = JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      // Not JSON: shown as it came.
    }
    reply.className = isFault ? "reply fault" : "reply ok";
    reply.textContent = status + (body ? "\n" + body : "");
  }

  document.querySelectorAll("form.try").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reply = form.querySelector("pre.reply");
      var headers = { "Content-Type": "application/json" };
      var credentials = document.getElementById("authorization");
      if (credentials && credentials.value) {
        headers.Authorization = credentials.value;
      }
      reply.className = "reply";
      reply.textContent = "calling…";
      fetch(form.getAttribute("action"), {
        method: "POST",
        headers: headers,
        body: JSON.stringify(params(form)),
      })
        .then(function (response) {
          return response.text().then(function (text) {
            var status = response.status + " " + response.statusText;
            show(reply, status.trim(), text, !response.ok);
          });
        })
        .catch(function (error) {
          show(reply, "request failed", String(error), true);
        });
    });
  });
})();
