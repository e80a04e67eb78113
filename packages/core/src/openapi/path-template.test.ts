import { describe, expect, it } from 'vitest';
import { pathTemplate } from './path-template.js';

describe('pathTemplate', () => {
  it('turns :params into {params}, in order', () => {
    expect(pathTemplate('/users/:id/orders/:orderId')).toEqual({ template: '/users/{id}/orders/{orderId}', params: ['id', 'orderId'], patterns: new Map() });
  });

  it('keeps a regex param\'s pattern apart, and :: as a literal colon', () => {
    const t = pathTemplate('/files/:name(^\\w+$).png/a::b');
    expect(t.template).toBe('/files/{name}.png/a:b');
    expect(t.params).toEqual(['name']);
    expect(t.patterns.get('name')).toBe('^\\w+$');
  });

  it('leaves a path without params as it is', () => {
    expect(pathTemplate('/hello').template).toBe('/hello');
  });
});
