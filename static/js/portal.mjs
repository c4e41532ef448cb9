// Loaded as a module with the page's CSP nonce; no inline script anywhere. A browser that runs
// modules is one GOV.UK Frontend supports, so the class it checks for is set here.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
