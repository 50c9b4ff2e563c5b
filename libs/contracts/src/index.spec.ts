describe('workspace', () => {
  it('runs unit tests', () => {
    expect(1 + 1).toBe(2);
  });
});
