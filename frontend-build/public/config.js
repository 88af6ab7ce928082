// Runtime settings for the PagePress web app. Left empty here: the app then
// talks to the API on its own origin. In the container this file is replaced
// at start-up from the API_ORIGIN environment variable (see nginx/entrypoint).
window.__PAGEPRESS_CONFIG__ = window.__PAGEPRESS_CONFIG__ || {};
