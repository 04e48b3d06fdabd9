/**
 * Imports point down the layers of src/ (docs/architecture.md): the session domain at the bottom
 * imports nothing else from src; measurement (lab) may import the domain; the course (lessons,
 * quizzes, checkpoints that read demo reports) may import both; the server may import all three;
 * pages, components and layouts may import everything. A file may
 * always import within its own layer. Anything else is an upward (or sideways) import and fails
 * lint, so the layering cannot drift.
 */
import path from 'node:path';

const layers = [
  { name: 'sessions', rank: 0, folders: ['sessions'] },
  { name: 'lab', rank: 1, folders: ['lab'] },
  { name: 'course', rank: 2, folders: ['course'] },
  { name: 'server', rank: 3, folders: ['server'] },
  { name: 'ui', rank: 4, folders: ['pages', 'components', 'layouts', 'styles'] },
];

function layerOf(file, srcRoot) {
  const relative = path.relative(srcRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const top = relative.split(path.sep)[0];
  return layers.find((layer) => layer.folders.includes(top)) ?? null;
}

/** @type {import('eslint').Rule.RuleModule} */
const importsPointDown = {
  meta: {
    type: 'problem',
    docs: { description: 'src/ layers import only layers below them' },
    schema: [],
    messages: {
      upward:
        'the {{from}} layer is below the {{to}} layer: it may not import {{target}}. Move the shared part down, or pass it in.',
    },
  },
  create(context) {
    const srcRoot = path.resolve(context.cwd, 'src');
    const from = layerOf(context.filename, srcRoot);
    if (!from) return {};
    function check(node, specifier) {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), specifier);
      const to = layerOf(target, srcRoot);
      if (!to || to.name === from.name || to.rank < from.rank) return;
      context.report({
        node,
        messageId: 'upward',
        data: { from: from.name, to: to.name, target: specifier },
      });
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) =>
        node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'imports-point-down': importsPointDown } };
