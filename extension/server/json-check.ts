/**
 * Finds where JSON text stops being valid, with a message a user can act on. `JSON.parse` in
 * current V8 often names no position ("Unexpected token '}', … is not valid JSON"), and a
 * diagnostic must point at the character.
 *
 *   checkJson('{"a": }')  // → { offset: 6, message: 'expected a value, found "}"' }
 */
export function checkJson(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonProblem(at, message);
  };
  const found = () => (i < text.length ? `"${text[i]}"` : 'the end of the body');
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
        string();
        space();
        if (text[i] !== ':') fail(`expected ":" after the property name, found ${found()}`);
        i++;
        value();
        space();
        if (text[i] === ',') {
          i++;
          space();
          if (text[i] === '}') fail('trailing comma before "}"', i - 1);
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(`expected "," or "}" after a property value, found ${found()}`);
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') {
          i++;
          space();
          if (text[i] === ']') fail('trailing comma before "]"', i - 1);
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(`expected "," or "]" after an array item, found ${found()}`);
      }
    }
    if (c === '"') return string();
    const literal = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (literal) {
      i += literal[0].length;
      return;
    }
    fail(`expected a value, found ${found()}`);
  };
  const string = (): void => {
    const start = i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === '\\') {
        if (!/^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i + 1, i + 6))) fail('invalid escape in string');
        i += text[i + 1] === 'u' ? 6 : 2;
        continue;
      }
      if (c === '\n' || c < ' ') fail('line break or control character inside a string (unterminated string?)');
      i++;
    }
    fail('unterminated string', start);
  };
  try {
    value();
    space();
    if (i < text.length) fail(`unexpected ${found()} after the JSON value`);
    return undefined;
  } catch (err) {
    if (err instanceof JsonProblem) return { offset: err.offset, message: err.message };
    throw err;
  }
}

class JsonProblem extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}
