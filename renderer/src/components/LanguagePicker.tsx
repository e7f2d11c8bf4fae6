import { useState } from 'react';
import {
  currentLanguage,
  languageName,
  PSEUDO_IN_PICKER,
  PSEUDO_LOCALE,
  switchLanguage,
  UI_LANGUAGES,
  useT,
  type UiLanguage,
} from '../i18n';
import { ErrorNote, SelectField } from './ui';

/**
 * The page's language, switched at once (no reload) and remembered in this browser. Each language is named in its
 * own words, so that a user who cannot read the current one still finds theirs. The pseudo-locale is listed in a
 * development build only (and named as such).
 */
export function LanguagePicker() {
  const t = useT();
  const [error, setError] = useState('');
  const lang = currentLanguage();
  const choices: UiLanguage[] =
    PSEUDO_IN_PICKER || lang === PSEUDO_LOCALE ? [...UI_LANGUAGES, PSEUDO_LOCALE] : [...UI_LANGUAGES];
  return (
    <div className="card language-picker" data-testid="language-picker">
      <SelectField
        label={t('language.label')}
        name="ui-language"
        value={lang}
        hint={t('language.hint')}
        options={choices.map((l) => ({
          value: l,
          label: l === PSEUDO_LOCALE ? t('language.pseudo') : languageName(l),
        }))}
        onChange={(v) => {
          setError('');
          switchLanguage(v as UiLanguage).catch(() => setError(t('language.failed')));
        }}
      />
      <ErrorNote>{error}</ErrorNote>
    </div>
  );
}
