import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { courseParts, groupLessons } from '../../src/course/course-parts';

const lessons = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
const part = (startsAt: string) => ({ startsAt, title: startsAt.toUpperCase(), blurb: '' });

describe('groupLessons', () => {
  it('gives each part the lessons from its start to the next part, in course order', () => {
    const groups = groupLessons(lessons, [part('a'), part('c')]);
    expect(groups.map((group) => group.lessons.map((lesson) => lesson.id))).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    expect(groups.map((group) => group.firstNumber)).toEqual([1, 3]);
  });

  it('keeps every lesson even when the first part starts late or a part is missing', () => {
    const groups = groupLessons(lessons, [part('b'), part('gone'), part('d')]);
    expect(groups.flatMap((group) => group.lessons.map((lesson) => lesson.id))).toEqual(
      lessons.map((lesson) => lesson.id),
    );
    expect(groups.map((group) => group.part.startsAt)).toEqual(['b', 'd']);
  });
});

describe('courseParts', () => {
  it('starts every part at a lesson that exists, in course order', () => {
    const orderById = new Map(
      readdirSync('content/lessons')
        .filter((file) => /\.mdx?$/.test(file))
        .map((file) => {
          const source = readFileSync(`content/lessons/${file}`, 'utf8');
          return [file.replace(/\.mdx?$/, ''), Number(/^order:\s*(\d+)/m.exec(source)?.[1])];
        }),
    );
    const orders = courseParts.map((coursePart) => orderById.get(coursePart.startsAt));
    expect(
      orders.every((order) => order !== undefined),
      JSON.stringify(orders),
    ).toBe(true);
    expect([...orders].sort((a, b) => a! - b!)).toEqual(orders);
    expect(orders[0]).toBe(Math.min(...orderById.values()));
  });
});
