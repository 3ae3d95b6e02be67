/**
 * A button that is unavailable while a request runs, but keeps keyboard focus: a `disabled`
 * button loses focus (the browser moves it to the page body), so a keyboard user would have to
 * find their place again after every Register or Deregister.
 */
export function lockWhile(locked: boolean, action: () => void) {
  return {
    'aria-disabled': locked ? ('true' as const) : undefined,
    onClick: () => {
      if (!locked) action();
    },
  };
}
