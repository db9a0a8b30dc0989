// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // "Show" / "Hide" for password fields.
  for (const button of document.querySelectorAll("[data-toggle-password]")) {
    const input = document.getElementById(button.dataset.togglePassword);
    if (!input) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", String(show));
      button.textContent = show ? button.dataset.hideLabel || "Hide" : button.dataset.showLabel || "Show";
    });
  }
  // After a failed submit, move focus to the summary so screen readers hear it first.
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
  // Close the account menu when clicking elsewhere or pressing Escape.
  const menu = document.querySelector(".account-menu");
  if (menu) {
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }
});
