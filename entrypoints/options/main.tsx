import { render } from 'preact';

function Options() {
  return <main>Webex Line</main>;
}

render(<Options />, document.getElementById('app') as HTMLElement);
