import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './style.css';
import App from './App.vue';
import { restoreSession } from './api';

void restoreSession().then(() => createApp(App).mount('#app'));
