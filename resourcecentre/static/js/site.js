// Enhancements only: every feature here also works without JavaScript.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // "Hide Message": remember the hidden version in a cookie without reloading the page.
  document.querySelectorAll("form[data-hide-message]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const version = form.elements.version.value;
      const secure = location.protocol === "https:" ? "; Secure" : "";
      document.cookie = `rc_hidden_message=${encodeURIComponent(version)}; Max-Age=31536000; Path=/; SameSite=Lax${secure}`;
      form.closest("[data-site-message]").remove();
      document.getElementById("main").focus();
    });
  });

  // Sort and filter controls (selects, checkboxes) apply as soon as they change.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", (event) => {
      if (event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
    });
  });

  // Company names suggested as the reader types; the server resolves the chosen name.
  document.querySelectorAll("input[data-autocomplete]").forEach((input) => {
    const list = document.getElementById(input.getAttribute("list"));
    let pending;
    input.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(async () => {
        if (input.value.trim().length < 2) return;
        const url = `${input.dataset.autocomplete}?q=${encodeURIComponent(input.value.trim())}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(...results.map((company) => new Option(company.name, company.name)));
      }, 150);
    });
  });

  // A file over the upload limit is refused before it is sent (the server checks again).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    input.addEventListener("change", () => {
      const [file] = input.files;
      const tooBig = file && file.size > Number(input.dataset.maxBytes);
      input.setCustomValidity(tooBig ? input.dataset.tooLarge : "");
      input.reportValidity();
    });
  });

  // A step that cannot be undone asks first.
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});
