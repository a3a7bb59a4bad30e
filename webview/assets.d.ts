// esbuild bundles CSS imports into panel.css; TypeScript only needs to know they exist.
declare module '*.css';
