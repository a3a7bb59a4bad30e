/**
 * A generated `.http` file of `count` requests in the mix a real collection has: named requests,
 * file variables, environment and request variables, JSON bodies, assertions, metadata.
 */
export function generateHttpFile(count: number): string {
  const out: string[] = ['@host = http://127.0.0.1:8080', '@version = v1', '@base = {{host}}/api/{{version}}', ''];
  for (let i = 0; i < count; i++) {
    out.push(`### request ${i}`);
    if (i % 10 === 0) out.push(`# @name req${i}`);
    if (i % 7 === 0) out.push('# @timeout 5s');
    switch (i % 4) {
      case 0:
        out.push(`GET {{base}}/items/${i}?page=1`, 'Accept: application/json', `Authorization: Bearer {{token}}`, '', '?? status == 200');
        break;
      case 1:
        out.push(
          `POST {{base}}/items`,
          'Content-Type: application/json',
          '',
          '{',
          `  "id": ${i},`,
          `  "name": "item {{$randomInt 1 100}}",`,
          `  "tags": ["a", "b"]`,
          '}',
          '',
          '?? body $.id exists',
        );
        break;
      case 2: {
        const named = Math.max(0, i - (i % 10) - 10);
        out.push(`PUT {{base}}/items/{{req${named}.response.body.$.id}}`, 'Content-Type: text/plain', 'X-Trace: {{$guid}}', '', `plain body ${i}`);
        break;
      }
      default:
        out.push(`DELETE {{base}}/items/${i}`, '');
    }
    out.push('');
  }
  return out.join('\n');
}
