import { XmlTagsFormat } from '../src';

describe('toolFormat/xml-tags stopAfterCall', () => {
  it('stops after every closing tag by default, only after the answer when several calls per turn are allowed', () => {
    const one = new XmlTagsFormat({ tags: ['search', 'delegate'], answerTag: 'answer', observationTag: 'result' });
    expect(one.stopStrings).toEqual(['</search>', '</delegate>', '</answer>']);
    const several = new XmlTagsFormat({ tags: ['search', 'delegate'], answerTag: 'answer', observationTag: 'result', stopAfterCall: false });
    expect(several.stopStrings).toEqual(['</answer>']);
    const parsed = several.parse('<delegate>capital Pureti</delegate><search>mayor Nake</search>');
    expect(parsed.calls.map((c) => [c.name, c.args])).toEqual([['delegate', 'capital Pureti'], ['search', 'mayor Nake']]);
    expect(parsed.answer).toBeUndefined();
  });
});
