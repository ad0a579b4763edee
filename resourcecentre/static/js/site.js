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

  // Sort and filter controls apply as soon as they change.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => form.requestSubmit());
  });
});
