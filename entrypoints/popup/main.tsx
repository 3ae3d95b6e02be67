import { render } from 'preact';

function Popup() {
  return <main>Webex Line</main>;
}

render(<Popup />, document.getElementById('app') as HTMLElement);
