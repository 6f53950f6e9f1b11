import { describe, expect, it } from 'vitest';
import {
  abaCheckDigit,
  isValidAbaRouting,
  isValidBic,
  isValidIban,
  normaliseAccountIdentifier,
} from '#platform/core/bank-accounts.ts';

describe('isValidIban', () => {
  it('accepts IBANs whose mod-97 check digits hold, in print or electronic form', () => {
    // Prepare
    const valid = [
      'DE89 3704 0044 0532 0130 00',
      'GB82WEST12345698765432',
      'FR1420041010050500013M02606',
      'nl91-abna-0417-1643-00',
    ];

    // Act
    const results = valid.map(isValidIban);

    // Assess
    expect(results).toEqual([true, true, true, true]);
  });

  it('refuses wrong check digits, wrong shapes and empty input', () => {
    // Prepare
    const invalid = [
      'GB82WEST12345698765433',
      'DE00370400440532013000',
      'DE8937040044',
      '89DE370400440532013000',
      '',
      'DE89370400440532013000!',
    ];

    // Act
    const results = invalid.map(isValidIban);

    // Assess
    expect(results).toEqual([false, false, false, false, false, false]);
  });
});

describe('isValidBic', () => {
  it('accepts 8- and 11-character BICs', () => {
    // Prepare / Act / Assess
    expect(isValidBic('DEUTDEFF')).toBe(true);
    expect(isValidBic('COBADEFFXXX')).toBe(true);
    expect(isValidBic('ABNANL2A')).toBe(true);
  });

  it('refuses wrong lengths, digits in the country code, lower case and spaces', () => {
    // Prepare / Act / Assess
    expect(isValidBic('DEUTDEF')).toBe(false);
    expect(isValidBic('DEUTDEFF1')).toBe(false);
    expect(isValidBic('DEUTD1FF')).toBe(false);
    expect(isValidBic('deutdeff')).toBe(false);
    expect(isValidBic('DEUT DEFF')).toBe(false);
    expect(isValidBic('')).toBe(false);
  });
});

describe('isValidAbaRouting', () => {
  it('accepts routing numbers whose 3-7-1 weighted sum is a multiple of 10', () => {
    // Prepare: 011000015 → 0·3+1·7+1·1+0·3+0·7+0·1+0·3+1·7+5·1 = 20
    const valid = ['011000015', '021000021', '121000358'];

    // Act
    const results = valid.map(isValidAbaRouting);

    // Assess
    expect(results).toEqual([true, true, true]);
  });

  it('refuses a wrong check digit, wrong lengths and non-digits', () => {
    // Prepare / Act / Assess
    expect(isValidAbaRouting('011000016')).toBe(false);
    expect(isValidAbaRouting('01100001')).toBe(false);
    expect(isValidAbaRouting('0110000150')).toBe(false);
    expect(isValidAbaRouting('01100001A')).toBe(false);
    expect(isValidAbaRouting(' 11000015')).toBe(false);
  });

  it('computes the check digit that completes an 8-digit prefix', () => {
    // Prepare / Act / Assess
    expect(abaCheckDigit('01100001')).toBe('5');
    expect(abaCheckDigit('02100002')).toBe('1');
    expect(() => abaCheckDigit('0110000')).toThrow(TypeError);
  });
});

describe('normaliseAccountIdentifier', () => {
  it('strips spaces and dashes and upper-cases', () => {
    expect(normaliseAccountIdentifier(' de89 3704–0044-0532 ')).toBe('DE89370400440532');
  });
});
