/**
 * i18next's type options for the whole product (core and renderer): the resources are the English catalogue with
 * literal texts (catalogue.generated.ts), so `t()` accepts only keys that exist in `locales/en/` and asks for exactly
 * the placeholders of the English text. Every namespace file in `locales/en/` is covered once the catalogue is
 * regenerated (`npm run i18n:catalogue`; a unit test fails while it is out of date).
 */
import type { Catalogue } from './catalogue.generated';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: Catalogue;
    // Texts are written for people, not HTML: no escaping (the renderer's React escapes by itself).
    returnNull: false;
  }
}

export {};
