import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a render can
// take longer than that, which made tests fail now and then without anything being wrong.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
  window.history.replaceState(null, "", "/");
});

// jsdom's FormData is not the one Node's Request understands, so a multipart body would
// reach the fake server as the text "[object FormData]". Keep the form on the request
// for the fake server to read, as a browser would have sent it.
class FormKeepingRequest extends Request {
  form?: FormData;

  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(input, init);
    if (init?.body instanceof FormData) this.form = init.body;
  }
}
globalThis.Request = FormKeepingRequest as typeof Request;
