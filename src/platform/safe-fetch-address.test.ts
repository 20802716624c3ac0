import { describe, expect, it } from 'vitest'
import { cidrContains, classifyAddress, formatAddress, parseAddress, parseCidr, parseIPv4, parseIPv6 } from './safe-fetch-address.ts'

const classify = (text: string) => {
  const address = parseAddress(text)
  if (!address) {
    throw new Error(`not an address: ${text}`)
  }
  return classifyAddress(address)
}

describe(parseIPv4.name, () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0X7F.0.0.0x1', '127.0.0.1'],
    ['10.0.0.1.', '10.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
    ['169.254.43518', '169.254.169.254'],
  ])('reads %s as %s', (input, expected) => {
    const bytes = parseIPv4(input)
    expect(bytes && Array.from(bytes).join('.')).toBe(expected)
  })

  it.each(['', 'example.com', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '4294967296', '08.0.0.1', '0x1g', '1..2', '1.2.3.0x100', '-1', 'localhost'])('rejects %s', (input) => {
    expect(parseIPv4(input)).toBeUndefined()
  })
})

describe(parseIPv6.name, () => {
  it.each([
    ['::1', '::1'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['::ffff:7f00:1', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8::8a2e:370:7334', '2001:db8::8a2e:370:7334'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['FD00:EC2::254', 'fd00:ec2::254'],
  ])('reads %s as %s', (input, expected) => {
    const bytes = parseIPv6(input)
    expect(bytes && formatAddress({ family: 6, bytes })).toBe(expected)
  })

  it.each(['1::2::3', ':::', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3', 'example.com'])('rejects %s', (input) => {
    expect(parseIPv6(input)).toBeUndefined()
  })
})

describe(classifyAddress.name, () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['fec0::1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['169.254.169.254', 'cloud metadata'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['192.169.0.1', 'public'],
    ['169.253.255.255', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['fe00::1', 'public'],
  ])('classifies %s as %s', (input, expected) => {
    expect(classify(input)).toBe(expected)
  })
})

describe(parseCidr.name, () => {
  it('matches addresses inside the prefix only', () => {
    const cidr = parseCidr('10.1.0.0/16')!
    expect(cidrContains(cidr, parseAddress('10.1.255.3')!)).toBe(true)
    expect(cidrContains(cidr, parseAddress('10.2.0.1')!)).toBe(false)
    // The IPv4-mapped form of an allowed address is allowed too.
    expect(cidrContains(cidr, parseAddress('::ffff:10.1.2.3')!)).toBe(true)
    expect(cidrContains(parseCidr('fd00::/8')!, parseAddress('fd12::1')!)).toBe(true)
    expect(cidrContains(parseCidr('fd00::/8')!, parseAddress('10.1.2.3')!)).toBe(false)
    expect(cidrContains(parseCidr('127.0.0.1')!, parseAddress('127.0.0.1')!)).toBe(true)
    expect(cidrContains(parseCidr('127.0.0.1')!, parseAddress('127.0.0.2')!)).toBe(false)
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseAddress('192.168.1.1')!)).toBe(true)
  })

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/x', 'example.com/8', '10.0.0.0/'])('rejects %s', (input) => {
    expect(parseCidr(input)).toBeUndefined()
  })
})
