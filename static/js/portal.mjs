// Loaded as a module with the page's CSP nonce; no inline script anywhere.
import { initAll, isSupported } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if (isSupported()) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}
