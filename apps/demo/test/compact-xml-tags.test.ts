import { runToolFormatKit } from '@tirl/core/testing';
import { compactXmlTagsFormat } from '../src/plugins/compact-xml-tags';

runToolFormatKit(compactXmlTagsFormat, {
  invalid: [
    { options: { tags: ['search', 'search'] }, field: 'tags' },
    { options: { tags: ['answer'] }, field: 'tags' },
  ],
  cases: [
    { text: 'look it up<search>capital of France</search>', calls: [{ name: 'search', args: 'capital of France' }] },
    { text: '<answer>Paris</answer>', answer: 'Paris' },
    { text: '<search>unclosed', errors: 1 },
  ],
});
