const { idCheckChar, isValidIdNumber, isValidPhone, isValidRealName } = require('../../utils/validators');
const { fieldErrors } = require('../../utils/errors');
const { maskPhone, formatDateTime, formatTimeRange } = require('../../utils/format');

describe('ID number (GB 11643)', () => {
  test('computes the check character', () => {
    // Worked example from GB 11643-1999.
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('44052418800101001')).toBe('4');
  });

  test('accepts valid numbers, lower-case x included', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('440524188001010014')).toBe(true);
    expect(isValidIdNumber(`36098119900101123${idCheckChar('36098119900101123')}`)).toBe(true);
  });

  test('rejects a wrong check digit, bad dates, wrong length and junk', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber(`36098119900230123${idCheckChar('36098119900230123')}`)).toBe(false);
    expect(isValidIdNumber('11010519491231002')).toBe(false);
    expect(isValidIdNumber('1101051949123100211')).toBe(false);
    expect(isValidIdNumber('11010519491231X02X')).toBe(false);
    expect(isValidIdNumber('')).toBe(false);
    expect(isValidIdNumber(null)).toBe(false);
  });
});

describe('phone and name', () => {
  test('mainland mobile numbers', () => {
    expect(isValidPhone('13812345678')).toBe(true);
    expect(isValidPhone('19912345678')).toBe(true);
    expect(isValidPhone('12812345678')).toBe(false);
    expect(isValidPhone('1381234567')).toBe(false);
    expect(isValidPhone('138123456789')).toBe(false);
    expect(isValidPhone('1381234567a')).toBe(false);
    expect(isValidPhone(undefined)).toBe(false);
  });

  test('real name length', () => {
    expect(isValidRealName('张三')).toBe(true);
    expect(isValidRealName('张')).toBe(false);
    expect(isValidRealName('  ')).toBe(false);
  });
});

describe('helpers', () => {
  test('fieldErrors flattens the shapes the API may send', () => {
    expect(fieldErrors({ errors: { phone: ['格式不正确', 'x'] } })).toEqual({ phone: '格式不正确' });
    expect(fieldErrors({ errors: { phone: '格式不正确' } })).toEqual({ phone: '格式不正确' });
    expect(fieldErrors({ errors: { json: { id_number: ['身份证号无效'] } } })).toEqual({ id_number: '身份证号无效' });
    expect(fieldErrors({ errors: { skills: { 0: ['未知技能'] } } })).toEqual({ skills: '未知技能' });
    expect(fieldErrors({ code: 'x' })).toEqual({});
  });

  test('maskPhone and Asia/Shanghai formatting', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138****5678')).toBe('138****5678');
    expect(maskPhone('')).toBe('');
    expect(formatDateTime('2025-03-08T01:00:00Z')).toBe('2025-03-08 09:00');
    expect(formatTimeRange('2025-03-08T09:00:00+08:00', '2025-03-08T11:30:00+08:00')).toBe('03-08 09:00 至 11:30');
    expect(formatTimeRange('2025-03-08T09:00:00+08:00', '2025-03-09T11:30:00+08:00')).toBe('03-08 09:00 至 03-09 11:30');
  });
});
