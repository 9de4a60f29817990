import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './style.css';
import cjkFontUrl from '@cjk-font?url';
import App from './App.vue';
import { restoreSession } from './api';

// The bundled Chinese font, fetched only when a page shows a character the viewer's own fonts lack.
document.fonts.add(new FontFace('zhengzhao-cjk', `url(${cjkFontUrl}) format('woff2')`, {
  unicodeRange: 'U+2E80-9FFF, U+F900-FAFF, U+FF00-FFEF, U+00B7, U+2014, U+2026, U+2018-2019, U+201C-201D', display: 'swap',
}));

void restoreSession().then(() => createApp(App).mount('#app'));
