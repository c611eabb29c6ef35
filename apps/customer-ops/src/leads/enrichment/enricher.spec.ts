import { enrich, tokenize } from './enricher';
import { HIGH_URGENCY_WORDS, INTENT_LEXICON, NEGATIVE_WORDS, POSITIVE_WORDS } from './lexicons';

describe('enrich: reference cases', () => {
  it.each([
    ['URGENT: need an estimate for metal roof today', 'lead_capture', 'high', 'neutral', 0.8],
    ['Thanks so much, your service is awesome!', 'lead_capture', 'normal', 'positive', 0.7],
    ['Very frustrated with the late repair and ongoing problems', 'support', 'normal', 'negative', 0.4],
    ['I have a warranty question about a leak repair', 'support', 'high', 'neutral', 0.6],
    ['I know the snow is heavy', 'lead_capture', 'normal', 'neutral', 0.7],
  ])('%s', (details, intent, urgency, sentiment, score) => {
    expect(enrich(details, 'Someone')).toEqual({ intent, urgency, sentiment, score });
  });
});

describe('enrich: rules', () => {
  it('matches whole words only', () => {
    expect(enrich('I know', 'x').urgency).toBe('normal'); // "now" inside "know"
    expect(enrich('snowboard nowhere', 'x').urgency).toBe('normal');
    expect(enrich('right now', 'x').urgency).toBe('high');
    expect(enrich('a quotation', 'x').intent).toBe('lead_capture'); // no hit either way
    expect(enrich('tissue', 'x').intent).toBe('lead_capture'); // "issue" inside "tissue"
    expect(enrich('unbroken record', 'x').intent).toBe('lead_capture');
  });

  it('recognises simple plurals', () => {
    expect(enrich('ongoing problems and issues', 'x').intent).toBe('support');
    expect(enrich('two fixes', 'x').intent).toBe('support');
    expect(enrich('several inquiries', 'x').intent).toBe('info');
    expect(enrich('leaks everywhere', 'x').urgency).toBe('high');
    expect(enrich('many quotes', 'x').intent).toBe('lead_capture');
  });

  it('is case-insensitive and ignores punctuation', () => {
    expect(enrich('WARRANTY!!! Repair?', 'x').intent).toBe('support');
    expect(enrich('ASAP.', 'x').urgency).toBe('high');
  });

  it('picks the intent with the most distinct keyword hits', () => {
    expect(enrich('question about the price and a quote', 'x').intent).toBe('lead_capture'); // 2 vs 1
    expect(enrich('question and more information about a repair', 'x').intent).toBe('info'); // 2 vs 1
    expect(enrich('repair repair repair question information', 'x').intent).toBe('info'); // distinct: 1 vs 2
  });

  it('breaks ties in lead_capture, support, info order', () => {
    expect(enrich('quote for a repair', 'x').intent).toBe('lead_capture');
    expect(enrich('repair question', 'x').intent).toBe('support');
    expect(enrich('price question', 'x').intent).toBe('lead_capture');
  });

  it('defaults to lead_capture without any hit', () => {
    expect(enrich('hello there', 'x').intent).toBe('lead_capture');
    expect(enrich('', 'x').intent).toBe('lead_capture');
  });

  it('reads sentiment: positive only, negative only, or neutral', () => {
    expect(enrich('great job', 'x').sentiment).toBe('positive');
    expect(enrich('terrible job', 'x').sentiment).toBe('negative');
    expect(enrich('great but late', 'x').sentiment).toBe('neutral');
    expect(enrich('just a roof', 'x').sentiment).toBe('neutral');
  });

  it('scores 0.7 for lead_capture else 0.5, +0.1 urgent, -0.1 negative, two decimals', () => {
    expect(enrich('quote', 'x').score).toBe(0.7);
    expect(enrich('quote today', 'x').score).toBe(0.8);
    expect(enrich('quote today, terrible', 'x').score).toBe(0.7);
    expect(enrich('repair', 'x').score).toBe(0.5);
    expect(enrich('repair asap', 'x').score).toBe(0.6);
    expect(enrich('awful repair', 'x').score).toBe(0.4);
    expect(enrich('info', 'x').score).toBe(0.5);
    expect(enrich('emergency leak, awful', 'x').score).toBe(0.5);
  });

  it('falls back to the name when details are missing or blank', () => {
    expect(enrich(undefined, 'Urgent roof repair').intent).toBe('support');
    expect(enrich('   ', 'Urgent roof repair').urgency).toBe('high');
    expect(enrich(null, 'Jane Doe')).toEqual({
      intent: 'lead_capture',
      urgency: 'normal',
      sentiment: 'neutral',
      score: 0.7,
    });
  });

  it('applies every lexicon word', () => {
    for (const word of INTENT_LEXICON.support) expect([word, enrich(word, 'x').intent]).toEqual([word, 'support']);
    for (const word of INTENT_LEXICON.info) expect([word, enrich(word, 'x').intent]).toEqual([word, 'info']);
    for (const word of INTENT_LEXICON.lead_capture)
      expect([word, enrich(`${word} question`, 'x').intent]).toEqual([word, 'lead_capture']);
    for (const word of HIGH_URGENCY_WORDS) expect([word, enrich(word, 'x').urgency]).toEqual([word, 'high']);
    for (const word of POSITIVE_WORDS) expect([word, enrich(word, 'x').sentiment]).toEqual([word, 'positive']);
    for (const word of NEGATIVE_WORDS) expect([word, enrich(word, 'x').sentiment]).toEqual([word, 'negative']);
  });
});

describe('tokenize', () => {
  it('splits on anything but letters, digits and inner apostrophes', () => {
    expect(tokenize("Don't wait: call 555-1234, José!")).toEqual(["don't", 'wait', 'call', '555', '1234', 'josé']);
  });
});
