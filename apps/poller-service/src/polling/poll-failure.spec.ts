import { DateTemplateError } from '@pollcast/date-template';
import { describeFailure, PollLimitError } from './poll-failure';

describe('describeFailure', () => {
  it('treats configuration problems as permanent', () => {
    expect(describeFailure(new PollLimitError('too many pages'))).toEqual({
      kind: 'configuration',
      message: 'too many pages',
      permanent: true,
    });
    expect(describeFailure(new DateTemplateError('INVALID_ARGUMENT', 'bad pattern'))).toMatchObject({
      kind: 'configuration',
      permanent: true,
    });
  });

  it('treats anything else as internal and worth retrying', () => {
    expect(describeFailure(new Error('boom'))).toEqual({
      kind: 'internal',
      message: 'boom',
      permanent: false,
    });
    expect(describeFailure('odd')).toEqual({ kind: 'internal', message: 'odd', permanent: false });
  });
});
