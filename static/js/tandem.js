// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Questionnaire: a score of 5 or lower, or 9 or higher, marks its motivation as needed at once.
// Only a hint; the server checks the rule on submit.
document.addEventListener("change", (event) => {
  const radio = event.target.closest("input[data-motivation]");
  if (!radio) return;
  const score = Number(radio.value);
  const needed = score <= 5 || score >= 9;
  const box = document.getElementById(radio.dataset.motivation);
  if (box) box.setAttribute("aria-required", needed ? "true" : "false");
  radio.closest(".question")?.classList.toggle("needs-motivation", needed);
});
