// A page may import a stylesheet of its own (`import './playground.css'`); Vite bundles it into
// Studio's one CSS file, served by the API like the rest (CSP style-src 'self').
declare module '*.css';
