/**
 * The course's lessons as the tests walk them: id, title and the stores whose demos the lesson
 * shows, read from the lesson files' frontmatter so a new lesson is tested without a list to edit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface LessonEntry {
  id: string;
  title: string;
  stores: string[];
}

export const lessons: LessonEntry[] = readdirSync('content/lessons')
  .filter((file) => /\.mdx?$/.test(file))
  .map((file) => {
    const frontmatter =
      /^---\n([\s\S]*?)\n---/.exec(readFileSync(`content/lessons/${file}`, 'utf8'))?.[1] ?? '';
    const data = parse(frontmatter) as { title: string; stores?: string[] };
    return { id: file.replace(/\.mdx?$/, ''), title: data.title, stores: data.stores ?? [] };
  });
