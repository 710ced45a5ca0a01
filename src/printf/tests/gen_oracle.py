import sqlite3, math
c=sqlite3.connect(':memory:'); c.text_factory=bytes
I=lambda: None
cases=[]
def t(fmt,*args): cases.append((fmt,list(args)))
# integers
for f in ['%d','%5d','%-5d|','%05d','%+d','% d','%+5d','%-+5d|','%.3d','%8.3d','%-8.3d|','%08.3d','%,d','%,10d','%,-12d|','%,012d','%i','%u','%x','%X','%o','%#x','%#X','%#o','%#10x','%#010x','%-#10x|','%.5x','%p','%#p','%10p','%lld','%ld','%lu','%llx','%r','%5r','%-6r|','%,u','%+i','% .4d','%+,d']:
    for v in [0,1,-1,42,-42,1234567,-9223372036854775808,9223372036854775807,255]:
        t(f,v)
for v in [1,2,3,4,10,11,12,13,21,22,23,101,111,112,113,1001]:
    t('%r',v)
t('%*d|%-*d|%*d', 5, 1, 5, 2, -5, 3)
t('%.*d', 6, 42); t('%.*d', -6, 42)
t('%*.*d|', 8, 4, -7)
# floats
fl=[0.0,1.0,-1.0,0.5,1.5,2.5,3.14159,-3.14159,0.1,0.125,1.005,2.0005,0.05,0.15,0.25,0.95,1e-5,1e-4,123456.0,1234567.0,1e15,1e16,1e100,1e-100,1e300,1e-300,4.9e-324,1.7976931348623157e308,1.0/3,2.0/3,123456789.125,9.9996,0.000123,99.995,0.30000000000000004,1e22,5e-324*3]
for f in ['%f','%.0f','%.1f','%.2f','%.3f','%.10f','%.20f','%!.20f','%e','%.0e','%.3e','%E','%#.0e','%g','%G','%.3g','%.10g','%.17g','%#g','%!g','%!.15g','%!.20g','%10.2f|','%-10.2f|','%010.2f','%+f','% f','%+010.3e','%#.0f','%!.0f','%!e','%.25f','%!.25f','%.0g','%#.3g','%!f']:
    for v in fl:
        if f in ('%f','%.10f','%.20f','%!.20f','%.25f','%!.25f','%!f','%.3f','%#.0f','%!.0f','%+f','% f') and abs(v)>1e30: continue
        t(f,v)
t('%f|%e|%g', float('inf'), float('-inf'), float('inf'))
t('%+f|%10f|%-10e|%010g|', float('inf'), float('inf'), float('-inf'), float('inf'))
t('%.*f', 2, 3.14159); t('%.*f', -2, 3.14159); t('%*.*f|', 10, 3, 3.14159); t('%-*.*e|', 14, 2, 31415.9)
# strings
for f in ['%s','%10s|','%-10s|','%.3s','%!.3s','%5.2s|','%!5s|','%!-5s|','%!.2s','%q','%Q','%w','%.2q','%!.2Q','%-8Q|','%8w|','%!8Q|','%z','%.0s|','%010s']:
    for v in ['', 'abc', "it's", 'a"b', 'éàüx', "O''Neil", None, 'hello world']:
        t(f,v)
t('%s|%s|%s', 1, 2.5, b'AB')
# chars
for f in ['%c','%.3c','%5c|','%-5c|','%5.3c|','%-5.3c|','%.0c','%.1c','%!5c|']:
    for v in ['abc','é','€x','😀',None,'']:
        t(f,v)
# misc
t('%%|%5%|%-5%|'); t('abc%'); t('%'); t(''); t('plain text'); t('%hd|', 5); t('a%Tb'); t('a%5-db', 5)
t('%10,d|', 5); t('%lllx', 255); t('%n|%d', 5); t('%d %d %d'); t('%s|%f|%c|%Q|', None,None,None,None)
t('%5'); t('a%-'); t('%.2147483648f', 1.0); t('%4294967301d|', 1); t('%lf|%llf', 1.5, 1.5); t('%ls', 'x')
t('%d|%d', 3000000000, -3000000000); t('%x', -1); t('%o', -1); t('%u', -1)
t('%!,d', 1234); t('%,x', 123456); t('%#,o', 8)
t('x%sy%dz%fw', 'S', 7, 0.5)

def rlit(b):
    if b is None: return 'None'
    out=''
    for ch in b:
        if ch==0x22: out+='\\"'
        elif ch==0x5c: out+='\\\\'
        elif 32<=ch<127: out+=chr(ch)
        else: out+='\\x%02x'%ch
    return 'Some(b"%s")'%out
def alit(a):
    if a is None: return 'N'
    if isinstance(a,bool): raise
    if isinstance(a,int): return 'I(%d)'%a if a!=-9223372036854775808 else 'I(i64::MIN)'
    if isinstance(a,float):
        if math.isinf(a): return 'F(f64::INFINITY)' if a>0 else 'F(f64::NEG_INFINITY)'
        r=repr(a)
        if 'e' not in r and '.' not in r: r+='.0'
        return 'F(%s)'%r
    if isinstance(a,bytes): return 'B(b"%s")'%rlit(a)[7:-2]
    return 'S(b"%s")'%rlit(a.encode())[7:-2]
lines=[]
for fmt,args in cases:
    q="select printf(?%s)"%(',?'*len(args))
    r=c.execute(q,[fmt]+args).fetchone()[0]
    lines.append('    (b"%s", &[%s], %s),'%(rlit(fmt.encode())[7:-2], ', '.join(alit(a) for a in args), rlit(r)))
print(len(lines), file=__import__('sys').stderr)
open('/tmp/printf_cases.rs','w').write('\n'.join(lines)+'\n')
