import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickClient } from './client';
import { prefetchState } from './client/prefetch';
import './styles.css';

const client = pickClient();
// The dashboard is the first view: its state travels while React renders (a deep link to another view does not wait).
if (!location.hash || /^#\/?dashboard/.test(location.hash)) prefetchState(client);
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
