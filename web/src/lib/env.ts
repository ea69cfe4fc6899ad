// Where the dashboard lives: the server writes <base href="BASE_PATH/"> into index.html.
function readBase(): string {
  const href = document.querySelector('base')?.getAttribute('href') ?? '/';
  return href.replace(/\/+$/, '');
}

/** BASE_PATH without a trailing slash ('' at the root). */
export const basePath = readBase();

/** An absolute path inside the app, e.g. url('/websites') -> '/base/websites'. */
export const appUrl = (path: string) => basePath + path;
