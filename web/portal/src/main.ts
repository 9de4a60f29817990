import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './theme.css';
import App from './App.vue';

createApp(App).mount('#app');
