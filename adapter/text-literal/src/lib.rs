//! Text for the adapter's diagnostics, kept in code immediates.
//!
//! The adapter may not have a data section (wit-component cannot place one in
//! the guest's memory), so a plain `&str` is not an option: its bytes would live
//! in `.rodata`. Instead the macros pack text into `u64` immediates, ten 6-bit
//! symbols each (see `ALPHABET`), passed four at a time to a non-inlined
//! `put_packed(w0, w1, w2, w3)` of the sink, which decodes them. That costs
//! about 1.1 bytes of code per character, where one byte per 8-byte word cost 2.
//!
//! - `text!(sink, "literal")` writes the literal.
//! - `names!(sink, a, b, c)` writes the identifiers, each followed by the
//!   `SEPARATOR` symbol, so a sink can pick one name out of the list.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Symbols 1..=ALPHABET.len() stand for these bytes; 0 ends a word early.
/// The adapter's decoder (`diag::symbol_byte`) must agree; tests/guards.rs
/// checks a decoded message that uses every kind of symbol.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz 0123456789.,()'`:-/_;\n\"?!";
/// Makes the next letter upper case.
const CAPITAL: u8 = 62;
/// Ends one name of a `names!` list.
const SEPARATOR: u8 = 63;
const SYMBOLS_PER_WORD: usize = 10;
const WORDS_PER_CALL: usize = 4;

#[proc_macro]
pub fn text(input: TokenStream) -> TokenStream {
    respond(text_symbols(input))
}

#[proc_macro]
pub fn names(input: TokenStream) -> TokenStream {
    respond(name_symbols(input))
}

fn respond(result: Result<(Ident, Vec<u8>), String>) -> TokenStream {
    match result {
        Ok((sink, symbols)) => calls(&sink, &symbols),
        Err(message) => format!("compile_error!({message:?})").parse().unwrap_or_default(),
    }
}

fn text_symbols(input: TokenStream) -> Result<(Ident, Vec<u8>), String> {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let [TokenTree::Ident(sink), TokenTree::Punct(comma), TokenTree::Literal(literal)] = &tokens[..] else {
        return Err("expected `text!(sink, \"literal\")`".into());
    };
    if comma.as_char() != ',' {
        return Err("expected a comma after the sink".into());
    }
    let mut symbols = Vec::new();
    for byte in unescape(&literal.to_string())? {
        if byte.is_ascii_uppercase() {
            symbols.push(CAPITAL);
        }
        symbols.push(symbol(byte.to_ascii_lowercase())?);
    }
    Ok((sink.clone(), symbols))
}

fn name_symbols(input: TokenStream) -> Result<(Ident, Vec<u8>), String> {
    let mut tokens = input.into_iter();
    let Some(TokenTree::Ident(sink)) = tokens.next() else {
        return Err("expected `names!(sink, name, ...)`".into());
    };
    let mut symbols = Vec::new();
    for token in tokens {
        match token {
            TokenTree::Punct(p) if p.as_char() == ',' => {}
            TokenTree::Ident(name) => {
                for byte in name.to_string().trim_start_matches("r#").bytes() {
                    if !byte.is_ascii_lowercase() && byte != b'_' {
                        return Err(format!("names! takes lower-case identifiers, not {name}"));
                    }
                    symbols.push(symbol(byte)?);
                }
                symbols.push(SEPARATOR);
            }
            other => return Err(format!("unexpected {other} in names!")),
        }
    }
    Ok((sink, symbols))
}

fn symbol(byte: u8) -> Result<u8, String> {
    match ALPHABET.iter().position(|&b| b == byte) {
        Some(index) => Ok(index as u8 + 1),
        None => Err(format!("byte {:?} is not in the diagnostics alphabet", byte as char)),
    }
}

/// `{ sink.put_packed(w0, w1, w2, w3); ... }`, unused words 0.
fn calls(sink: &Ident, symbols: &[u8]) -> TokenStream {
    let words: Vec<u64> =
        symbols.chunks(SYMBOLS_PER_WORD).map(|chunk| chunk.iter().enumerate().fold(0u64, |word, (i, &s)| word | u64::from(s) << (6 * i))).collect();
    let mut body = TokenStream::new();
    for group in words.chunks(WORDS_PER_CALL) {
        let mut args = TokenStream::new();
        for i in 0..WORDS_PER_CALL {
            if i > 0 {
                args.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
            }
            args.extend([TokenTree::Literal(Literal::u64_suffixed(group.get(i).copied().unwrap_or(0)))]);
        }
        body.extend([
            TokenTree::Ident(sink.clone()),
            TokenTree::Punct(Punct::new('.', Spacing::Alone)),
            TokenTree::Ident(Ident::new("put_packed", Span::call_site())),
            TokenTree::Group(Group::new(Delimiter::Parenthesis, args)),
            TokenTree::Punct(Punct::new(';', Spacing::Alone)),
        ]);
    }
    TokenTree::Group(Group::new(Delimiter::Brace, body)).into()
}

/// Decodes a plain `"..."` literal with the escapes a message needs.
fn unescape(source: &str) -> Result<Vec<u8>, String> {
    let inner = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')).ok_or("expected a plain string literal")?;
    let mut out = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        out.push(match chars.next() {
            Some('n') => b'\n',
            Some('\\') => b'\\',
            Some('"') => b'"',
            Some('\'') => b'\'',
            other => return Err(format!("unsupported escape \\{other:?} in text! literal")),
        });
    }
    Ok(out)
}
