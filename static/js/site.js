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
  // "Send again in 23 s": resend buttons wait out the resend interval, counting down visibly.
  for (const button of document.querySelectorAll("[data-countdown]")) {
    let seconds = parseInt(button.dataset.countdown, 10) || 0;
    if (seconds <= 0) continue;
    const label = button.textContent;
    const tick = () => {
      if (seconds <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.textContent = button.dataset.countdownLabel.replace("%s", seconds);
      seconds -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }
  // WebOTP: where the browser supports it, fill the code from the SMS ("@domain #code") and submit.
  const codeInput = document.querySelector('input[autocomplete="one-time-code"]');
  if (codeInput && "OTPCredential" in window) {
    const abort = new AbortController();
    codeInput.form.addEventListener("submit", () => abort.abort());
    navigator.credentials
      .get({ otp: { transport: ["sms"] }, signal: abort.signal })
      .then((otp) => {
        if (otp && otp.code) {
          codeInput.value = otp.code;
          codeInput.form.requestSubmit(codeInput.form.querySelector('[value="verify"]') || undefined);
        }
      })
      .catch(() => {});
  }
  // "Print" for backup codes.
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
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
