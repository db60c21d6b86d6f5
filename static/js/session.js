// Session mode: the decision and action forms carry the minutes as typed, so recording a
// decision or an action never loses them. Without JavaScript the hidden field stays disabled
// (not sent) and the minutes are saved by their own form and by the navigation buttons.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const copy = form.querySelector("input[data-minutes-copy]");
  const minutes = document.querySelector("textarea[data-session-minutes]");
  if (!copy || !minutes) return;
  copy.value = minutes.value;
  copy.disabled = false;
});
