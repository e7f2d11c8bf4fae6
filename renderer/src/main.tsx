import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickClient } from './client';
import { prefetchState } from './client/prefetch';
import { startI18n } from './i18n';
import './styles.css';

const client = pickClient();
// The dashboard is the first view: its state travels while the language loads and React renders (a deep link to
// another view does not wait).
if (!location.hash || /^#\/?dashboard/.test(location.hash)) prefetchState(client);
const root = document.getElementById('root');
if (root) {
  void startI18n().then(() => {
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    );
  });
}
