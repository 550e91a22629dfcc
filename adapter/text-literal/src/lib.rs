//! `text!(sink, "literal")` expands to calls `sink.put_word(word, len)` that
//! each carry up to eight bytes of the literal as a `u64` immediate;
//! `text!(sink, some_ident)` does the same with the identifier's name.
//!
//! The adapter may not have a data section (wit-component cannot place one in
//! the guest's memory), so a plain `&str` is not an option: its bytes would live
//! in `.rodata`. Immediates passed to a non-inlined function stay in the code.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

#[proc_macro]
pub fn text(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(message) => format!("compile_error!({message:?})").parse().unwrap_or_default(),
    }
}

fn expand(input: TokenStream) -> Result<TokenStream, String> {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let [TokenTree::Ident(sink), TokenTree::Punct(comma), text] = &tokens[..] else {
        return Err("expected `text!(sink, \"literal\")` or `text!(sink, identifier)`".into());
    };
    if comma.as_char() != ',' {
        return Err("expected a comma after the sink".into());
    }
    let bytes = match text {
        TokenTree::Literal(literal) => unescape(&literal.to_string())?,
        TokenTree::Ident(ident) => ident.to_string().trim_start_matches("r#").as_bytes().to_vec(),
        _ => return Err("expected a string literal or an identifier".into()),
    };

    let mut body = TokenStream::new();
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        let call: TokenStream = [
            TokenTree::Ident(sink.clone()),
            TokenTree::Punct(Punct::new('.', Spacing::Alone)),
            TokenTree::Ident(Ident::new("put_word", Span::call_site())),
            TokenTree::Group(Group::new(
                Delimiter::Parenthesis,
                [
                    TokenTree::Literal(Literal::u64_suffixed(u64::from_le_bytes(word))),
                    TokenTree::Punct(Punct::new(',', Spacing::Alone)),
                    TokenTree::Literal(Literal::u32_suffixed(chunk.len() as u32)),
                ]
                .into_iter()
                .collect(),
            )),
            TokenTree::Punct(Punct::new(';', Spacing::Alone)),
        ]
        .into_iter()
        .collect();
        body.extend(call);
    }
    Ok(TokenTree::Group(Group::new(Delimiter::Brace, body)).into())
}

/// Decodes a plain `"..."` literal with the escapes a message needs.
fn unescape(source: &str) -> Result<Vec<u8>, String> {
    let inner = source
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or("expected a plain string literal")?;
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
            Some('t') => b'\t',
            Some('0') => 0,
            Some('\\') => b'\\',
            Some('"') => b'"',
            Some('\'') => b'\'',
            other => return Err(format!("unsupported escape \\{other:?} in text! literal")),
        });
    }
    Ok(out)
}
