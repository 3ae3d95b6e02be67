export default defineBackground(() => {
  // Wired in lib/service once the engine lands.
});
